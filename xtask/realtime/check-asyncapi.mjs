// Parses an AsyncAPI document (argv[2]) with @asyncapi/parser and its default rules; prints every
// diagnostic and exits 1 when one is an error or a warning (infos and hints are printed only).
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const SEVERITIES = ['error', 'warning', 'info', 'hint'];
const text = readFileSync(process.argv[2], 'utf8');
const { document, diagnostics } = await new Parser().parse(text);
let failed = document === undefined;
for (const diagnostic of diagnostics) {
  const severity = SEVERITIES[diagnostic.severity] ?? String(diagnostic.severity);
  console.log(`${severity} ${diagnostic.code}: ${diagnostic.message} at /${diagnostic.path.join('/')}`);
  failed ||= diagnostic.severity <= 1;
}
console.log(failed ? 'the AsyncAPI document has errors or warnings' : 'the AsyncAPI document is clean');
process.exit(failed ? 1 : 0);
