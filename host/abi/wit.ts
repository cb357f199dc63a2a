/**
 * WIT text of resolved types, for signatures (`keel inspect`, the world description) and for
 * error messages: `func(s: string) -> result<descriptor, error-code>`. Named types show their
 * names; types without one show their structure.
 */
import type { FuncType, ValType } from './types.js';

export function typeText(t: ValType): string {
  if (t.kind === 'own') return t.resource.name;
  if (t.kind === 'borrow') return `borrow<${t.resource.name}>`;
  if (t.name !== undefined) return t.name;
  switch (t.kind) {
    case 'list':
      return `list<${typeText(t.element)}>`;
    case 'tuple':
      return `tuple<${t.types.map(typeText).join(', ')}>`;
    case 'option':
      return `option<${typeText(t.type)}>`;
    case 'result':
      if (!t.ok && !t.err) return 'result';
      if (!t.err) return `result<${typeText(t.ok!)}>`;
      return `result<${t.ok ? typeText(t.ok) : '_'}, ${typeText(t.err)}>`;
    case 'record':
      return `record { ${t.fields.map((f) => `${f.name}: ${typeText(f.type)}`).join(', ')} }`;
    case 'variant':
      return `variant { ${t.cases.map((c) => (c.type ? `${c.name}(${typeText(c.type)})` : c.name)).join(', ')} }`;
    case 'enum':
      return `enum { ${t.names.join(', ')} }`;
    case 'flags':
      return `flags { ${t.names.join(', ')} }`;
    default:
      return t.kind;
  }
}

export function funcText(ft: FuncType): string {
  const params = ft.params.map((p) => `${p.name}: ${typeText(p.type)}`).join(', ');
  if (ft.results.length === 0) return `func(${params})`;
  if (ft.results.length === 1 && ft.results[0]!.name === undefined) {
    return `func(${params}) -> ${typeText(ft.results[0]!.type)}`;
  }
  return `func(${params}) -> (${ft.results.map((r) => `${r.name}: ${typeText(r.type)}`).join(', ')})`;
}
