// The C handshake a plugin exports: checked by the host before any C++ call is made.
// HOSTSDK_DECLARE_PLUGIN defines it and exports it under the one dynamic symbol name.
#pragma once

#include <cstdint>

#include "hostsdk/fingerprint.h"
#include "hostsdk/plugin.h"
#include "hostsdk/version.h"

#define HOSTSDK_DESCRIPTOR_SYMBOL "hostsdk_plugin_descriptor"
#define HOSTSDK_MAGIC 0x50445348u  // "HSDP"

extern "C" {

struct hostsdk_descriptor {
  std::uint32_t magic;        // HOSTSDK_MAGIC
  std::uint32_t struct_size;  // sizeof(hostsdk_descriptor) as the plugin saw it
  std::uint32_t api_major;
  std::uint32_t api_minor;
  const char* build_fingerprint;
  const char* plugin_id;
  const char* plugin_version;
  void* (*create)(void);     // returns a hostsdk::Plugin*, or null on failure
  void (*destroy)(void*);    // destroys what create returned
};

typedef const hostsdk_descriptor* (*hostsdk_descriptor_fn)(void);
}

#ifdef HOSTSDK_NO_BOOST_DLL
#define HOSTSDK_EXPORT_DESCRIPTOR_(fn)
#else
#include <boost/dll/alias.hpp>
#define HOSTSDK_EXPORT_DESCRIPTOR_(fn) BOOST_DLL_ALIAS(fn, hostsdk_plugin_descriptor)
#endif

// Use once, at global scope, in the plugin's library:
//   HOSTSDK_DECLARE_PLUGIN(my::Plugin, "my-plugin", "1.2.3")
#define HOSTSDK_DECLARE_PLUGIN(PluginClass, id, version)                                    \
  namespace hostsdk_plugin_entry {                                                          \
  static void* create() noexcept {                                                          \
    try {                                                                                   \
      return static_cast<::hostsdk::Plugin*>(new PluginClass());                            \
    } catch (...) {                                                                         \
      return nullptr;                                                                       \
    }                                                                                       \
  }                                                                                         \
  static void destroy(void* p) noexcept { delete static_cast<::hostsdk::Plugin*>(p); }      \
  static const hostsdk_descriptor kDescriptor = {                                           \
      HOSTSDK_MAGIC,     sizeof(hostsdk_descriptor),                                        \
      HOSTSDK_API_MAJOR, HOSTSDK_API_MINOR,                                                 \
      ::hostsdk::kBuildFingerprint.text, id,                                                \
      version,           &create,                                                           \
      &destroy};                                                                            \
  const hostsdk_descriptor* descriptor() noexcept { return &kDescriptor; }                  \
  }                                                                                         \
  HOSTSDK_EXPORT_DESCRIPTOR_(hostsdk_plugin_entry::descriptor)
