#!/usr/bin/env node
// Validates AsyncAPI documents with the official parser (@asyncapi/parser, the one AsyncAPI's
// own tools use): `node check.mjs FILE...`. Prints one JSON report per file on stdout:
// {file, asyncapi, diagnostics: [{severity, code, message, path}]}. Exits 1 when any document
// has a diagnostic of severity error, or cannot be read; warnings are reported, not fatal, so
// the test decides what it tolerates.
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const SEVERITY = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "information",
  [DiagnosticSeverity.Hint]: "hint",
};

async function check(parser, file) {
  const source = await readFile(file, "utf8");
  const { document, diagnostics } = await parser.parse(source, { source: file });
  return {
    file,
    asyncapi: document ? document.version() : null,
    diagnostics: diagnostics.map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      code: String(d.code),
      message: d.message,
      path: d.path.join("/"),
    })),
  };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node check.mjs FILE...");
  process.exit(2);
}
const parser = new Parser();
let failed = false;
for (const file of files) {
  let report;
  try {
    report = await check(parser, file);
  } catch (error) {
    report = { file, asyncapi: null, diagnostics: [{ severity: "error", code: "unreadable", message: String(error), path: "" }] };
  }
  if (report.asyncapi === null || report.diagnostics.some((d) => d.severity === "error")) {
    failed = true;
  }
  console.log(JSON.stringify(report));
}
process.exit(failed ? 1 : 0);
