// Schema creation and migration: ordered steps recorded in schema_version, applied under an
// advisory lock so several hosts starting at once do not race.
#pragma once

#include "storage/postgres/pg_executor.h"

namespace host::pg {

// The version this build's steps lead to.
int latest_schema_version() noexcept;

// Applies the missing steps, one transaction each. kUnavailable when the database is at a
// newer version than this build knows (an older host must not write to a newer schema).
Status migrate(Executor& executor);

// Keys of the advisory locks the backend takes (two-int form: class, object).
inline constexpr int kLockClass = 0x52435400;  // "RCT\0"
inline constexpr int kMigrationLock = 1;

}  // namespace host::pg
