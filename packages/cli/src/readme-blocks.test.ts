import { describe, expect, it } from 'vitest';
import { readmeBlocks } from './readme-blocks.js';

describe('readmeBlocks', () => {
  it('splits shell blocks into fedhub commands, joining continuations and quotes across lines', () => {
    const md = [
      '# x',
      '```sh',
      '# a comment',
      'npx fedhub run a --params \'{"x":',
      "  1}'   # trailing",
      'npx fedhub study create --title "T" \\',
      '  --min-nodes 3',
      'ls -l',
      '```',
      '',
      '<!-- readme-test: skip (needs a PACS) -->',
      '',
      '```bash',
      'fedhub dicom pull',
      '```',
      '```yaml',
      'fedhub: 1',
      '```',
      '```console',
      '$ fedhub org list',
      'id name',
      '```',
    ].join('\n');
    const blocks = readmeBlocks(md);
    expect(blocks.map((b) => [b.line, b.lang, b.skip])).toEqual([
      [2, 'sh', undefined],
      [13, 'bash', 'needs a PACS'],
      [19, 'console', undefined],
    ]);
    expect(blocks[0]!.commands).toEqual([
      { line: 4, text: 'npx fedhub run a --params \'{"x":\n  1}\'   # trailing' },
      { line: 6, text: 'npx fedhub study create --title "T" \\\n  --min-nodes 3' },
    ]);
    expect(blocks[2]!.commands).toEqual([{ line: 20, text: 'fedhub org list' }]);
  });

  it('does not take a quote inside a comment as an open string', () => {
    const blocks = readmeBlocks("```sh\nnpx fedhub a   # the node's keys\nnpx fedhub b\n```");
    expect(blocks[0]!.commands.map((c) => c.text)).toEqual([
      "npx fedhub a   # the node's keys",
      'npx fedhub b',
    ]);
  });
});
