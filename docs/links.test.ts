// Every relative link in the guides and READMEs points at a file that exists, and every
// `#anchor` at a heading of the target page (GitHub's heading slugs).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'api', 'dist'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (full.endsWith('.md')) found.push(full);
    }
  };
  walk(path.join(root, 'docs'));
  const top = ['README.md', 'CONTRIBUTING.md', 'bench/README.md'];
  for (const name of fs.readdirSync(path.join(root, 'packages')))
    top.push(`packages/${name}/README.md`);
  for (const file of top)
    if (fs.existsSync(path.join(root, file))) found.push(path.join(root, file));
  return found;
}

const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '');

function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutCode(fs.readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

it('links between the guides and READMEs resolve to files and headings', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    for (const m of withoutCode(fs.readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1] ?? '';
      if (/^[a-z]+:/i.test(link)) continue;
      const [target, hash] = link.split('#');
      const resolved = target ? path.resolve(path.dirname(file), target) : file;
      const where = `${path.relative(root, file)} -> ${link}`;
      if (!fs.existsSync(resolved)) broken.push(`${where} (no such file)`);
      else if (hash && resolved.endsWith('.md') && !anchors(resolved).has(hash)) {
        broken.push(`${where} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
});
