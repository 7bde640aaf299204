import { main } from "./main.js";

// The executable entry: bin/pylot.js loads the build of this file; tests run it through tsx.
process.exitCode = await main(process.argv.slice(2), process.env);
