// The SQLite schema as ordered migration steps, tracked in PRAGMA user_version.
// Step N brings a database from version N-1 to N; steps are never edited once released.
#pragma once

#include "storage/sqlite/connection.h"

namespace host::sqlite {

// Applies every missing step in one IMMEDIATE transaction (safe when several processes open
// the same file). kUnavailable when the file is newer than this build knows.
Status migrate(Connection& connection);

// The version a fully migrated database has.
int latest_schema_version() noexcept;

}  // namespace host::sqlite
