#!/usr/bin/env node
// The installed `wardkeep` command runs the built CLI (npm run build produces out/main/cli.js).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const built = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  process.stderr.write(
    'wardkeep: error: the CLI is not built yet; run `npm run build` in the Wardkeep folder\n',
  );
  process.exit(1);
}
require(built);
