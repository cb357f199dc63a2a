import { loadWorld, readWitPackages } from './dist/scripts/sdk/wit/load.js';
import { generateC } from './dist/scripts/sdk/c/bindgen.js';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
const l = await loadWorld(readFileSync('guests/sdk-probe/world.wit','utf8'), readWitPackages('wit'));
const c = generateC(l.world);
mkdirSync('/tmp/sdk/gen', {recursive:true});
writeFileSync('/tmp/sdk/gen/'+c.headerName, c.header);
writeFileSync('/tmp/sdk/gen/'+c.sourceName, c.source);
