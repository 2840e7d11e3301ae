// Maps libpqxx exceptions to the storage contract's Status codes, and says whether the
// connection can be reused and whether the transaction may be retried.
#include "storage/postgres/pg_errors.h"

#include <pqxx/except>

#include <string>

namespace host::pg {
namespace {

std::string first_line(const char* what) {
  std::string s = what;
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

Failure from_sqlstate(const std::string& state, const std::string& message) {
  auto starts = [&](const char* prefix) { return state.rfind(prefix, 0) == 0; };
  if (state == "23505") return {Status::Conflict(message)};
  if (state == "23503") return {Status::NotFound(message)};  // row it refers to is missing
  if (starts("22")) return {Status::Invalid(message)};       // bad data, e.g. invalid UTF-8
  // Connection lost, server shutting down or starting, too many clients.
  if (starts("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
      state == "53300") {
    return {Status::Unavailable(message), true, false};
  }
  // Serialization failure, deadlock: the server rolled back; running it again is correct.
  if (starts("40")) return {Status::Unavailable(message), false, true};
  // Statement timeout, lock timeout, disk full, out of memory: overloaded, not a bug.
  if (state == "57014" || state == "55P03" || starts("53")) return {Status::Unavailable(message)};
  if (state == "25P03") return {Status::Unavailable(message), true, false};  // idle timeout
  return {Status::Internal(message)};
}

}  // namespace

std::string text(std::string_view value) {
  if (value.find('\0') != std::string_view::npos) throw InvalidInput("NUL byte in text value");
  return std::string(value);
}

Failure classify(const std::exception_ptr& error) noexcept {
  try {
    std::rethrow_exception(error);
  } catch (const InvalidInput& e) {
    return {Status::Invalid(e.what())};
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened; never retry a write blindly.
    return {Status::Unavailable("database connection lost during commit; outcome unknown: " +
                                first_line(e.what())),
            true, false};
  } catch (const pqxx::broken_connection& e) {
    // Nothing committed: safe to run the whole transaction again on a new connection.
    return {Status::Unavailable("database connection lost: " + first_line(e.what())), true, true};
  } catch (const pqxx::sql_error& e) {
    return from_sqlstate(e.sqlstate(), first_line(e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    return {Status::Unavailable(first_line(e.what())), false, true};
  } catch (const pqxx::failure& e) {
    return {Status::Unavailable("database failure: " + first_line(e.what())), true, false};
  } catch (const std::exception& e) {
    return {Status::Internal(first_line(e.what())), true, false};
  } catch (...) {
    return {Status::Internal("unknown exception in PostgreSQL storage"), true, false};
  }
}

}  // namespace host::pg
