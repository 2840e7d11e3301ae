// text[] values for libpqxx 6.4, which cannot bind a std::vector: encodes array literals for
// parameters and decodes array fields of results.
#include "storage/postgres/pg_text_array.h"

#include <pqxx/array>

#include "storage/postgres/pg_errors.h"

namespace host::pg {

std::string encode_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : text(value)) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::string> decode_text_array(const pqxx::field& field) {
  std::vector<std::string> values;
  if (field.is_null()) return values;
  // Byte-wise scanning is safe for UTF-8: the delimiters are ASCII, and no byte of a
  // multi-byte UTF-8 character is.
  pqxx::array_parser parser = field.as_array();
  for (;;) {
    auto [what, value] = parser.get_next();
    if (what == pqxx::array_parser::done) break;
    if (what == pqxx::array_parser::string_value) values.push_back(std::move(value));
  }
  return values;
}

}  // namespace host::pg
