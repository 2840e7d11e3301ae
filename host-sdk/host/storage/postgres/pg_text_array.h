// text[] values for libpqxx 6.4, which cannot bind a std::vector: encodes array literals for
// parameters and decodes array fields of results.
#pragma once

#include <string>
#include <vector>

#include <pqxx/result>  // pqxx/field alone does not compile in 6.4

namespace host::pg {

// '{"a","b"}' with every element quoted, so "NULL", commas and braces stay plain text.
std::string encode_text_array(const std::vector<std::string>& values);

// The elements of a one-dimensional text[] field, in order; NULL elements are skipped.
std::vector<std::string> decode_text_array(const pqxx::field& field);

}  // namespace host::pg
