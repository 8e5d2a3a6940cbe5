import { runDemo } from "./demo.js";

for (const line of await runDemo()) console.log(line);
