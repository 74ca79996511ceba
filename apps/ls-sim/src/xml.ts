/** A parsed XML element (text nodes are dropped: label configs carry meaning in tags and attributes). */
export interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X"))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

const ATTR_RE = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/**
 * Minimal non-validating XML parser, enough to check well-formedness of labeling configs.
 * It never expands external entities (there is no DTD support at all).
 * @throws Error with a human-readable message when the document is not well formed.
 */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { tag: "#document", attrs: {}, children: [] };
  const stack: XmlNode[] = [root];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    if (lt === -1) break;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end === -1) throw new Error("unterminated comment");
      i = end + 3;
    } else if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt);
      if (end === -1) throw new Error("unterminated CDATA section");
      i = end + 3;
    } else if (xml.startsWith("<?", lt)) {
      const end = xml.indexOf("?>", lt);
      if (end === -1) throw new Error("unterminated processing instruction");
      i = end + 2;
    } else if (xml.startsWith("<!", lt)) {
      throw new Error("DOCTYPE declarations are not allowed");
    } else if (xml.startsWith("</", lt)) {
      const end = xml.indexOf(">", lt);
      if (end === -1) throw new Error("unterminated closing tag");
      const name = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open === root || open.tag !== name) {
        throw new Error(`mismatched tag: </${name}> closes <${open?.tag ?? "nothing"}>`);
      }
      i = end + 1;
    } else {
      i = parseOpenTag(xml, lt, stack);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed tag <${stack[stack.length - 1]?.tag}>`);
  const elements = root.children;
  if (elements.length !== 1 || !elements[0]) throw new Error("document must have exactly one root element");
  return elements[0];
}

function parseOpenTag(xml: string, lt: number, stack: XmlNode[]): number {
  const nameMatch = /^<([A-Za-z_][\w:.-]*)/.exec(xml.slice(lt, lt + 200));
  if (!nameMatch?.[1]) throw new Error(`invalid tag at offset ${lt}`);
  const node: XmlNode = { tag: nameMatch[1], attrs: {}, children: [] };
  let i = lt + nameMatch[0].length;
  for (;;) {
    while (/\s/.test(xml[i] ?? "")) i++;
    if (xml.startsWith("/>", i)) {
      stack[stack.length - 1]?.children.push(node);
      return i + 2;
    }
    if (xml[i] === ">") {
      stack[stack.length - 1]?.children.push(node);
      stack.push(node);
      return i + 1;
    }
    ATTR_RE.lastIndex = i;
    const attr = ATTR_RE.exec(xml);
    if (!attr?.[1]) throw new Error(`malformed attribute in <${node.tag}> at offset ${i}`);
    if (attr[1] in node.attrs) throw new Error(`duplicate attribute ${attr[1]} in <${node.tag}>`);
    node.attrs[attr[1]] = decode(attr[2] ?? attr[3] ?? "");
    i = ATTR_RE.lastIndex;
  }
}

/** Depth-first list of every element below (and including) `node`. */
export function walk(node: XmlNode): XmlNode[] {
  const out: XmlNode[] = [node];
  for (const child of node.children) out.push(...walk(child));
  return out;
}
