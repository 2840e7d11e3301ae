// Minimal ELF64 reader: section headers → SHT_DYNSYM and its string table → symbol names.
// Every offset is bounds-checked against the file size; a malformed file is "not exported".
#include "loader/elf_exports.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace host::loader {
namespace {

bool read_at(std::ifstream& in, std::uint64_t offset, void* out, std::size_t size,
             std::uint64_t file_size) {
  if (offset > file_size || size > file_size - offset) return false;
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(static_cast<char*>(out), static_cast<std::streamsize>(size));
  return static_cast<bool>(in);
}

}  // namespace

bool elf_exports_symbol(const std::filesystem::path& library, std::string_view name) {
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(library, ec);
  if (ec) return false;
  std::ifstream in(library, std::ios::binary);
  Elf64_Ehdr header{};
  if (!read_at(in, 0, &header, sizeof(header), file_size)) return false;
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum > 4096) {
    return false;
  }
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  if (!read_at(in, header.e_shoff, sections.data(), sections.size() * sizeof(Elf64_Shdr),
               file_size)) {
    return false;
  }
  for (const auto& section : sections) {
    if (section.sh_type != SHT_DYNSYM || section.sh_link >= sections.size()) continue;
    const Elf64_Shdr& strtab = sections[section.sh_link];
    if (strtab.sh_size > (64u << 20) || section.sh_size > (64u << 20)) return false;
    std::vector<char> names(strtab.sh_size);
    std::vector<Elf64_Sym> symbols(section.sh_size / sizeof(Elf64_Sym));
    if (!read_at(in, strtab.sh_offset, names.data(), names.size(), file_size) ||
        !read_at(in, section.sh_offset, symbols.data(), symbols.size() * sizeof(Elf64_Sym),
                 file_size)) {
      return false;
    }
    for (const auto& sym : symbols) {
      unsigned bind = ELF64_ST_BIND(sym.st_info);
      if (sym.st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK)) continue;
      if (sym.st_name >= names.size()) continue;
      const char* text = names.data() + sym.st_name;
      std::size_t len = strnlen(text, names.size() - sym.st_name);
      if (std::string_view(text, len) == name) return true;
    }
  }
  return false;
}

}  // namespace host::loader
