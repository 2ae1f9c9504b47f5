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
npm install --no-audit --no-fund --silent "./$tarball" "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@20" >/dev/null
out=$(NO_COLOR=1 npx --no-install dezero-grad "square(exp(square(x)))" --x 0.5)
grep -qx 'dy/dx = 3.297442541400256' <<<"$out" || { echo "pack-check: npx dezero-grad printed:"; echo "$out"; exit 1; }
# --plot's packages are outside the bundle: they must load from the installed package.
NO_COLOR=1 npx --no-install dezero-grad "tanh(x)" --x -1:1:0.5 --plot | grep -q '^tanh(x)$' || { echo "pack-check: --plot failed"; exit 1; }
npx --no-install dezero-grad "tanh(x)" --x -1:1:0.5 --plot plot.png
[ "$(head -c 8 plot.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || { echo "pack-check: --plot plot.png wrote no PNG"; exit 1; }
cat > check.ts <<'TS'
import { grad, Variable, square, type GradResult } from 'dezero-grad';
const r: GradResult = grad('square(exp(square(x)))', { x: 0.5 });
const g: number = r.gradient.x;
const v: Variable = square(new Variable(3));
console.log(g, v.data);
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true, "noEmit": true, "types": ["node"] }, "files": ["check.ts"] }
JSON
npx --no-install tsc -p tsconfig.json
node --input-type=module -e "import { grad } from 'dezero-grad'; const g = grad('square(exp(square(x)))', { x: 0.5 }).gradient.x; if (g !== 3.297442541400256) { console.error('pack-check: import gave', g); process.exit(1); }"
echo "pack-check: $tarball installs; npx dezero-grad, --plot (terminal and PNG) and a typed import work"
