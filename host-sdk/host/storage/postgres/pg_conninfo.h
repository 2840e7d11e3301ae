// Connection strings: parses a postgres URL (or key=value string) with libpq and adds the
// host's defaults (connect timeout, statement timeout, durable commits).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/postgres/postgres_storage.h"

namespace host::pg {

using ConnParams = std::vector<std::pair<std::string, std::string>>;  // keyword, value

// The non-empty parameters of `url`; kInvalidArgument when libpq cannot parse it.
Result<ConnParams> parse_conninfo(std::string_view url);

// keyword='value' form, quoted for libpq.
std::string format_conninfo(const ConnParams& params);

// Sets `key` to `value`, replacing an earlier value.
void set_param(ConnParams& params, std::string_view key, std::string value);

// The conninfo every pooled connection uses: the URL's parameters plus defaults it does not
// set (connect_timeout, keepalives) and server options: statement timeout and quiet notices
// (the URL's own `options` may override those), then synchronous_commit=on (nothing may).
Result<std::string> build_conninfo(std::string_view url, const PostgresOptions& options);

}  // namespace host::pg
