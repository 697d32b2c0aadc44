// One concrete string a peer's regular expression accepts, for turning a pattern into a lab
// input. Covers the forms peers' tables use (anchors, escapes, classes, groups with
// alternatives, quantifiers); anything else gives null, and every result is checked against
// the pattern by the caller, so a wrong guess is never counted.

const CLASS_PICK: Record<string, string> = { d: '1', w: 'a', s: ' ', D: 'x', W: '-', S: 'x' };

export function regexExample(source: string): string | null {
  let i = 0;
  const s = source;
  function alternatives(): string | null {
    const first = sequence();
    while (i < s.length && s[i] === '|') {
      i++;
      sequence();
    }
    return first;
  }
  function sequence(): string | null {
    let out = '';
    while (i < s.length && s[i] !== '|' && s[i] !== ')') {
      const atom = one();
      if (atom === null) return null;
      const q = quantifier();
      if (q === null) return null;
      out += atom.repeat(q);
    }
    return out;
  }
  function quantifier(): number | null {
    const c = s[i];
    let n = 1;
    if (c === '?' || c === '*') {
      i++;
      n = c === '?' ? 1 : 0;
    } else if (c === '+') {
      i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(s.slice(i));
      if (!m) return null;
      i += m[0].length;
      n = Math.max(1, Number(m[1]));
    } else return 1;
    if (s[i] === '?') i++;
    return n;
  }
  function one(): string | null {
    const c = s[i++]!;
    if (c === '^' || c === '$') return '';
    if (c === '.') return 'x';
    if (c === '\\') {
      const e = s[i++];
      if (e === undefined) return null;
      if (e in CLASS_PICK) return CLASS_PICK[e]!;
      if (e === 'b' || e === 'B') return '';
      if (/[a-zA-Z0-9]/.test(e)) return null;
      return e;
    }
    if (c === '[') {
      const end = s.indexOf(']', i + 1);
      if (end < 0) return null;
      const body = s.slice(i, end);
      i = end + 1;
      if (body.startsWith('^')) return 'x';
      if (body.startsWith('\\')) return CLASS_PICK[body[1]!] ?? body[1] ?? null;
      return body[0] ?? null;
    }
    if (c === '(') {
      if (s[i] === '?') {
        if (s[i + 1] === ':') i += 2;
        else return null;
      }
      const inner = alternatives();
      if (s[i] !== ')') return null;
      i++;
      return inner;
    }
    return c;
  }
  const out = alternatives();
  return i === s.length ? out : null;
}
