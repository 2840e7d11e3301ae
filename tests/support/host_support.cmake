# Test support for suites that drive the real host: the HTTP client (the one Beast TU of
# the tests) and the rchost process helper; and the crash-durability harness on top of them.
# Included by tests/e2e, tests/loader and tests/multihost.
if(NOT TARGET rct_host_support)
  set(_rct_support_dir "${CMAKE_CURRENT_LIST_DIR}")
  add_library(rct_host_support STATIC
    ${_rct_support_dir}/host_process.cpp
    ${_rct_support_dir}/http_client.cpp
    ${_rct_support_dir}/secret_record.cpp
    ${_rct_support_dir}/workspace_fixture.cpp)
  target_include_directories(rct_host_support PUBLIC
    ${_rct_support_dir} ${_rct_support_dir}/../fixtures)
  target_compile_definitions(rct_host_support PUBLIC
    RCT_RCHOST_PATH="$<TARGET_FILE:rchost>"
    RCT_PLUGINS_DIR="${CMAKE_BINARY_DIR}/plugins"
    RCT_FIXTURE_DIR="${CMAKE_BINARY_DIR}/fixtures")
  target_link_libraries(rct_host_support PUBLIC
    nlohmann_json::nlohmann_json Boost::system Threads::Threads rct_expected_bodies)
  rct_warnings(rct_host_support)
endif()

# The SIGKILL-under-load cycle and its checks, shared by the crash-durability tests of the
# SQLite (tests/e2e) and PostgreSQL (tests/multihost) backends; each brings its own queries.
if(NOT TARGET rct_crash_harness)
  add_library(rct_crash_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/crash_harness.cpp)
  target_link_libraries(rct_crash_harness PUBLIC rct_host_support doctest::doctest)
  rct_warnings(rct_crash_harness)
endif()
