// Validates GLB files with the Khronos glTF validator (npm gltf-validator) and prints one JSON line per file
// with its error, warning and info counts; exits 1 when any file has an error or cannot be read.
// Usage: node validate-gltf.mjs FILE.glb...
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const validator = require('gltf-validator');

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const bytes = new Uint8Array(await readFile(file));
    const report = await validator.validateBytes(bytes, { maxIssues: 100 });
    const issues = report.issues;
    const messages = issues.messages.filter((m) => m.severity <= 1).map((m) => `${m.code}: ${m.message} (${m.pointer ?? ''})`);
    console.log(JSON.stringify({ file, errors: issues.numErrors, warnings: issues.numWarnings, infos: issues.numInfos, messages }));
    if (issues.numErrors > 0) failed = true;
  } catch (error) {
    console.log(JSON.stringify({ file, errors: 1, messages: [String(error)] }));
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
