#!/usr/bin/env bash
# What a user gets from the registry: pack the package, install the tarball into an empty folder,
# run `npx dezero-grad` there and type-check a program that imports it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
tarball=$(npm pack --silent --pack-destination "$tmp" | tail -n 1)
cd "$tmp"
npm init -y >/dev/null
installed=$(npm install --no-audit --no-fund "./$tarball" "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@20" 2>&1)
# The packed manifest has no install script to approve (scripts/pack-manifest.mjs).
if grep -q 'install-scripts' <<<"$installed"; then echo "pack-check: installing warned:"; echo "$installed"; exit 1; fi
out=$(NO_COLOR=1 npx --no-install dezero-grad "square(exp(square(x)))" --x 0.5)
grep -qx 'dy/dx = 3.297442541400256' <<<"$out" || { echo "pack-check: npx dezero-grad printed:"; echo "$out"; exit 1; }
# --plot's packages are outside the bundle: they must load from the installed package.
NO_COLOR=1 npx --no-install dezero-grad "tanh(x)" --x -1:1:0.5 --plot | grep -q '^tanh(x)$' || { echo "pack-check: --plot failed"; exit 1; }
npx --no-install dezero-grad "tanh(x)" --x -1:1:0.5 --plot plot.png
[ "$(head -c 8 plot.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || { echo "pack-check: --plot plot.png wrote no PNG"; exit 1; }
cat > check.ts <<'TS'
import { grad, Variable, square, tensor, Tensor, type GradResult } from 'dezero-grad';
const r: GradResult = grad('square(exp(square(x)))', { x: 0.5 });
const g: number = r.gradient.x;
const v: Variable = square(new Variable(3));
// Vectors and matrices: gradients shaped like their variables.
const t = grad('sum(W .* W)', { W: tensor([[1, 2], [3, 4]]) });
const gW = t.gradient.W;
if (!(gW instanceof Tensor) || gW.shape.join() !== '2,2' || gW.data[3] !== 8) throw new Error('pack-check: tensor gradient');
console.log(g, v.data, t.value);
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true, "noEmit": true, "types": ["node"] }, "files": ["check.ts"] }
JSON
npx --no-install tsc -p tsconfig.json
node --input-type=module -e "import { grad } from 'dezero-grad'; const g = grad('square(exp(square(x)))', { x: 0.5 }).gradient.x; if (g !== 3.297442541400256) { console.error('pack-check: import gave', g); process.exit(1); }"
node --input-type=module -e "import { grad, tensor } from 'dezero-grad'; const t = grad('sum(W .* W)', { W: tensor([[1, 2], [3, 4]]) }); if (t.value !== 30 || t.gradient.W.data[3] !== 8) { console.error('pack-check: tensor grad gave', t.value); process.exit(1); }"
# A CommonJS project (npm init's package.json has no "type"): tsc turns the import into require(),
# and node runs it, the pool's workers and minimize included.
mkdir cjs
cat > cjs/main.ts <<'TS'
import { grad, createPool, CompiledExpression, parse, minimize, type GradResult } from 'dezero-grad';
async function main(): Promise<void> {
  const r: GradResult = grad('square(exp(square(x)))', { x: 0.5 });
  const pool = createPool({ threads: 2 });
  const f = new CompiledExpression(parse('x^2'));
  const out = await pool.run(f, { x: new Float64Array([1, 2, 3]) });
  await pool.close();
  console.log(r.gradient.x, out.gradient.x[2], minimize('(x - 1)^2', { x: 0 }).point.x);
}
void main();
TS
cat > tsconfig.cjs.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true, "outDir": "cjs-out", "types": ["node"] }, "files": ["cjs/main.ts"] }
JSON
npx --no-install tsc -p tsconfig.cjs.json
grep -q 'require("dezero-grad")' cjs-out/main.js || { echo "pack-check: tsc did not emit require() for the CommonJS project"; exit 1; }
cjs=$(node cjs-out/main.js)
[ "$cjs" = "3.297442541400256 6 1" ] || { echo "pack-check: the CommonJS project printed: $cjs"; exit 1; }
node -e "const { grad } = require('dezero-grad'); if (grad('x^2', { x: 3 }).gradient.x !== 6) process.exit(1)"
echo "pack-check: $tarball installs; npx dezero-grad, --plot (terminal and PNG), a typed import and a CommonJS require work"
