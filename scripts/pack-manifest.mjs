// `npm pack` / `npm publish` (prepack, postpack): the packed package.json has no `prepare` script.
// A clone needs it (npm install builds dist/ through it), an installed tarball does not, and npm
// 11 warns about every install script its allowScripts has not approved. `strip` keeps the clone's
// manifest in package.json.orig and removes the script; `restore` puts the manifest back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const [command] = process.argv.slice(2);
if (command === 'strip') {
  const text = readFileSync('package.json', 'utf8');
  writeFileSync('package.json.orig', text);
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
  writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
} else if (command === 'restore') {
  if (existsSync('package.json.orig')) renameSync('package.json.orig', 'package.json');
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
