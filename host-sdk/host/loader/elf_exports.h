// Reads a shared library's dynamic symbol table (.dynsym) from the file, without loading it.
// Boost 1.74's library_info only reads .symtab, which `strip` removes; this covers that case.
#pragma once

#include <filesystem>
#include <string_view>

namespace host::loader {

// True when the 64-bit ELF file defines `name` as a global or weak dynamic symbol.
bool elf_exports_symbol(const std::filesystem::path& library, std::string_view name);

}  // namespace host::loader
