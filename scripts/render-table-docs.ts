/**
 * Renders src/db/table-docs.ts into the `COMMENT ON` block of the migration and the table
 * descriptions of the README. test/db/table-docs.test.ts fails when either is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";

import {
  README_BEGIN,
  README_END,
  SQL_BEGIN,
  SQL_END,
  renderCommentSql,
  renderReadme,
  replaceBetween,
} from "../src/db/render-table-docs.js";
import { TABLE_DOCS } from "../src/db/table-docs.js";

const MIGRATION = "migrations/0005_seen_batches.sql";
const README = "README.md";

const sqlText = readFileSync(MIGRATION, "utf8");
writeFileSync(MIGRATION, replaceBetween(sqlText, SQL_BEGIN, SQL_END, renderCommentSql(TABLE_DOCS)));
const readme = readFileSync(README, "utf8");
writeFileSync(README, replaceBetween(readme, README_BEGIN, README_END, renderReadme(TABLE_DOCS)));
console.log(`rendered ${TABLE_DOCS.length} objects into ${MIGRATION} and ${README}`);
