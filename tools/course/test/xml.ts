// A strict little XML reader for the tests: enough to prove sizes.svg is well-formed and to walk
// its elements. It throws on a tag that is not closed or closed out of order.

export interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  find(predicate: (e: Element) => boolean): Element | undefined;
  findAll(predicate: (e: Element) => boolean): Element[];
}

function element(name: string, attributes: Record<string, string>): Element {
  const self: Element = {
    name,
    attributes,
    children: [],
    findAll: (predicate) =>
      self.children.flatMap((child) => [
        ...(predicate(child) ? [child] : []),
        ...child.findAll(predicate),
      ]),
    find: (predicate) => self.findAll(predicate)[0],
  };
  return self;
}

export function parseXml(text: string): Element {
  const root = element("#document", {});
  const stack: Element[] = [root];
  const tag =
    /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let last = 0;
  for (const match of text.matchAll(tag)) {
    const between = text.slice(last, match.index);
    if (/[<>]/.test(between)) throw new Error(`stray markup near ${between.slice(0, 40)}`);
    if (/&(?!(#\d+|amp|lt|gt|quot|apos);)/.test(between)) throw new Error("unescaped &");
    last = match.index + match[0].length;
    const [, closing, name, attributeText = "", selfClosing] = match;
    if (name === undefined) continue;
    const parent = stack.at(-1);
    if (parent === undefined) throw new Error("content after the root element");
    if (closing) {
      if (parent.name !== name) throw new Error(`</${name}> closes <${parent.name}>`);
      stack.pop();
      continue;
    }
    const attributes = Object.fromEntries(
      [...attributeText.matchAll(/([\w:.-]+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
    const child = element(name, attributes);
    parent.children.push(child);
    if (!selfClosing) stack.push(child);
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)?.name ?? ""}> is not closed`);
  const [svg] = root.children;
  if (svg === undefined || root.children.length !== 1) throw new Error("one root element");
  return svg;
}
