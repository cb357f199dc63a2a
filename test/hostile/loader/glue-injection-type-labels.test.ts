/**
 * Attack: injection names as the labels of types (record fields, variant and enum cases,
 * flags, parameters and results), which jco turns into property names and strings in glue.
 */
import { it } from 'vitest';
import { componentText, expectRefused, INJECTIONS, watString } from './support.js';

const positions: Record<string, { where: RegExp; text: (name: string) => string }> = {
  'record field': {
    where: /record field name/,
    text: (n) => `(component (type (record (field ${watString(n)} u32))))`,
  },
  'variant case': {
    where: /variant case name/,
    text: (n) => `(component (type (variant (case ${watString(n)} u32))))`,
  },
  'enum case': { where: /enum case name/, text: (n) => `(component (type (enum ${watString(n)})))` },
  flag: { where: /flag name/, text: (n) => `(component (type (flags ${watString(n)})))` },
  parameter: {
    where: /parameter name/,
    text: (n) => `(component (type (func (param ${watString(n)} u32))))`,
  },
  'function type in an instance type': {
    where: /parameter name/,
    text: (n) => `(component (type (instance (type (func (param ${watString(n)} u32))))))`,
  },
};

for (const [position, { where, text }] of Object.entries(positions)) {
  it.each(INJECTIONS.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    `refuses a ${position} labelled %s`,
    async (_, name) => {
      await expectRefused(await componentText(text(name)), where);
    },
  );
}
