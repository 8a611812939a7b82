/**
 * A small XML 1.0 well-formedness parser for the JUnit report test: elements
 * nest and close in order, attributes are quoted and unique, entities are the
 * predefined ones or character references, text has no bare `<` or `&`.
 * Returns the element tree so tests can inspect it.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string, where: number): string {
  return text.replace(/&([^;]*);|&/g, (_match, entity: string | undefined) => {
    if (entity === undefined) throw new SyntaxError(`bare & at ${where}`);
    if (entity in ENTITIES) return ENTITIES[entity]!;
    const code = /^#x([0-9a-fA-F]+)$/.exec(entity)?.[1] ?? /^#([0-9]+)$/.exec(entity)?.[1];
    if (code === undefined) throw new SyntaxError(`unknown entity &${entity}; at ${where}`);
    return String.fromCodePoint(parseInt(code, entity.startsWith('#x') ? 16 : 10));
  });
}

/** Parses `xml`; throws a SyntaxError when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let at = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new SyntaxError('unterminated XML declaration');
    at = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    if (text.includes('>') && /]]>/.test(text)) throw new SyntaxError(`]]> in text at ${at}`);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new SyntaxError(`text outside the root element at ${at}`);
    } else {
      stack.at(-1)!.text += decode(text, at);
    }
    if (lt < 0) break;
    at = lt;
    if (xml.startsWith('</', at)) {
      const end = xml.indexOf('>', at);
      const name = xml.slice(at + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new SyntaxError(`</${name}> closes <${open?.name ?? 'nothing'}> at ${at}`);
      at = end + 1;
      continue;
    }
    at++;
    const name = NAME.exec(xml.slice(at))?.[0];
    if (!name) throw new SyntaxError(`bad element name at ${at}`);
    at += name.length;
    const element: XmlElement = { name, attributes: {}, children: [], text: '' };
    for (;;) {
      const space = /^\s*/.exec(xml.slice(at))![0].length;
      at += space;
      if (xml.startsWith('/>', at) || xml.startsWith('>', at)) break;
      if (space === 0) throw new SyntaxError(`missing space before attribute at ${at}`);
      const attribute = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(at));
      if (!attribute) throw new SyntaxError(`bad attribute at ${at}: ${xml.slice(at, at + 30)}`);
      if (attribute[1]! in element.attributes) throw new SyntaxError(`duplicate attribute ${attribute[1]} at ${at}`);
      element.attributes[attribute[1]!] = decode(attribute[3] ?? attribute[4] ?? '', at);
      at += attribute[0].length;
    }
    if (stack.length > 0) stack.at(-1)!.children.push(element);
    else if (root) throw new SyntaxError(`second root element at ${at}`);
    else root = element;
    if (xml.startsWith('/>', at)) {
      at += 2;
    } else {
      at += 1;
      stack.push(element);
    }
  }
  if (stack.length > 0) throw new SyntaxError(`unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new SyntaxError('no root element');
  return root;
}
