/**
 * Finds the shell commands of a README: fenced ```sh / ```bash / ```console blocks, split into commands
 * (continuation lines joined, quotes spanning lines kept together, comment lines dropped), keeping those
 * that call fedhub. A block preceded by `<!-- readme-test: skip (reason) -->` is reported as skipped.
 */

export interface ReadmeCommand {
  /** 1-based line of the README where the command starts. */
  line: number;
  text: string;
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  skip?: string;
  commands: ReadmeCommand[];
}

const SHELL = new Set(['sh', 'bash', 'console', 'shell']);
const SKIP = /^<!--\s*readme-test:\s*skip\s*\((.+)\)\s*-->$/;
const FEDHUB = /(^|[\s;&|(])(npx fedhub|fedhub|npm run fedhub --|node packages\/cli\/bin\/fedhub\.js)(\s|$)/;

/** Whether `text` ends inside a quoted string or with a backslash continuation (bash's rules, simplified). */
function unfinished(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) break;
  }
  return quote !== undefined || /\\$/.test(text);
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const lang = open[1]!;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (SHELL.has(lang)) {
      let prev = i - 1;
      while (prev >= 0 && lines[prev]!.trim() === '') prev--;
      const skip = prev >= 0 ? SKIP.exec(lines[prev]!.trim())?.[1] : undefined;
      const commands: ReadmeCommand[] = [];
      let current: ReadmeCommand | undefined;
      for (let j = i + 1; j < end; j++) {
        let text = lines[j]!;
        if (!current) {
          if (lang === 'console') {
            if (!text.startsWith('$ ')) continue;
            text = text.slice(2);
          }
          if (text.trim() === '' || text.trim().startsWith('#')) continue;
          current = { line: j + 1, text };
        } else current.text += `\n${text}`;
        if (!unfinished(current.text)) {
          if (FEDHUB.test(current.text)) commands.push(current);
          current = undefined;
        }
      }
      if (current && FEDHUB.test(current.text)) commands.push(current);
      blocks.push({ line: i + 1, lang, ...(skip ? { skip } : {}), commands });
    }
    i = end;
  }
  return blocks.filter((b) => b.commands.length > 0);
}
