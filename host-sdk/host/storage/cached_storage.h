// A read cache in front of any Storage: the lookups every request repeats (host mapping,
// settings, permission roles, users, live sessions) are served from memory for a short time.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "storage/storage.h"

namespace host {

struct CacheOptions {
  // Longest time a value changed by another process (the CLI, another host on the same
  // PostgreSQL) may still be served. Writes through this object invalidate at once.
  std::chrono::milliseconds ttl{500};
  std::size_t max_entries = 8192;  // per cache and generation; bounds memory
};

// Caches only what is safe to serve late: present rows and absent settings or host
// mappings. An absent user or session is always read again, so a token minted by another
// host works at once; a revoked session, a deactivated user and the sessions pruned by the
// per-user cap stop working at once in this process (after the commit), and within `ttl`
// elsewhere.
std::unique_ptr<Storage> make_cached_storage(std::unique_ptr<Storage> inner,
                                             const CacheOptions& options);

}  // namespace host
