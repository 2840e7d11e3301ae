# hostsdk_add_plugin(): builds a hostsdk plugin library the way a host expects to load it.
# Shipped with the SDK's CMake package; the in-tree plugin uses the same function.
#
#   hostsdk_add_plugin(<target> SOURCES <src>... MANIFEST <manifest.json>
#                      [PLUGIN_DIR <dir>])
#
# - reads id, version and library from the manifest, so they cannot drift from the build:
#   the library file is named after "library" (lib<name>.so), and the sources see
#   HOSTSDK_PLUGIN_ID / HOSTSDK_PLUGIN_VERSION for HOSTSDK_DECLARE_PLUGIN;
# - hidden visibility, -Wl,--no-undefined, and a version script that leaves
#   hostsdk_plugin_descriptor as the one dynamic export;
# - after each build, copies the library and manifest.json into <dir>/<id>/, the layout a
#   host's plugin directory has (default <dir>: ${CMAKE_BINARY_DIR}/plugins).
include_guard(GLOBAL)

function(hostsdk_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MANIFEST;PLUGIN_DIR" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "hostsdk_add_plugin: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES OR NOT arg_MANIFEST)
    message(FATAL_ERROR "hostsdk_add_plugin(${target}): SOURCES and MANIFEST are required")
  endif()
  if(NOT TARGET hostsdk::hostsdk)
    message(FATAL_ERROR "hostsdk_add_plugin(${target}): find_package(hostsdk) first")
  endif()
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    message(FATAL_ERROR "hostsdk_add_plugin: only Linux (ELF, GNU ld) is supported")
  endif()

  get_filename_component(manifest "${arg_MANIFEST}" ABSOLUTE)
  if(NOT EXISTS "${manifest}")
    message(FATAL_ERROR "hostsdk_add_plugin(${target}): no manifest at ${manifest}")
  endif()
  # Reconfigure when the manifest changes: id, version and library name come from it.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${manifest}")
  file(READ "${manifest}" json)
  foreach(field id version library)
    string(JSON value ERROR_VARIABLE error GET "${json}" ${field})
    if(error OR value STREQUAL "")
      message(FATAL_ERROR "hostsdk_add_plugin(${target}): ${manifest}: \"${field}\": ${error}")
    endif()
    set(plugin_${field} "${value}")
  endforeach()
  if(NOT plugin_library MATCHES "^lib([A-Za-z0-9_.+-]+)\\.so$")
    message(FATAL_ERROR "hostsdk_add_plugin(${target}): manifest \"library\" must look like "
                        "lib<name>.so, not \"${plugin_library}\"")
  endif()
  set(output_name "${CMAKE_MATCH_1}")

  set(exports_map "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/hostsdk-plugin.map")
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE hostsdk::hostsdk)
  target_compile_definitions(${target} PRIVATE HOSTSDK_PLUGIN_ID="${plugin_id}"
                                               HOSTSDK_PLUGIN_VERSION="${plugin_version}")
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "${output_name}"
    SUFFIX ".so"
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${exports_map}")
  target_link_options(${target} PRIVATE
    -Wl,--no-undefined "-Wl,--version-script=${exports_map}")

  if(NOT arg_PLUGIN_DIR)
    set(arg_PLUGIN_DIR "${CMAKE_BINARY_DIR}/plugins")
  endif()
  set(stage "${arg_PLUGIN_DIR}/${plugin_id}")
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory "${stage}"
    COMMAND ${CMAKE_COMMAND} -E copy "$<TARGET_FILE:${target}>" "${manifest}" "${stage}/"
    COMMENT "Staging plugin ${plugin_id} into ${stage}"
    VERBATIM)
  set_target_properties(${target} PROPERTIES
    HOSTSDK_PLUGIN_ID "${plugin_id}"
    HOSTSDK_PLUGIN_STAGE_DIR "${stage}")
endfunction()
