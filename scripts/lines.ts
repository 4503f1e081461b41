/**
 * `npm run lines`: non-blank code and comment lines of the client and the verifier (src/ less
 * generated/ and testing/), the figures README's Layout section gives. Comment lines are those
 * inside block comments or starting with `//`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['src/generated', 'src/testing'].includes(path) ? [] : files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

let code = 0;
let comments = 0;
for (const file of files('src')) {
  let inBlock = false;
  for (const line of readFileSync(file, 'utf8')
    .split('\n')
    .map((text) => text.trim())) {
    if (!line) continue;
    const isComment = inBlock || line.startsWith('/*') || line.startsWith('//');
    if (line.startsWith('/*')) inBlock = true;
    if (inBlock && line.includes('*/')) inBlock = false;
    if (isComment) comments++;
    else code++;
  }
}
const share = Math.round((100 * comments) / (code + comments));
console.log(`client + verifier: ${code} non-blank code lines, ${comments} comment lines (${share} %)`);
