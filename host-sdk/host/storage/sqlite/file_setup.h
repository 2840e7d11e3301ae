// Creates the database file's directory (0700) and the file itself (0600) before SQLite
// opens it, so token hashes and the audit trail never sit in a world-readable file.
#pragma once

#include <string>

#include "storage/storage.h"

namespace host::sqlite {

// Missing directories are created 0700; a missing file is created empty with mode 0600.
// Existing directories and files keep their modes (the operator chose them).
Status prepare_database_file(const std::string& path);

}  // namespace host::sqlite
