// Evidence for the whole-run secrets scan: when RCT_SECRET_SCAN_DIR is set (ctest sets it for
// the e2e suite), the test support records every token, password and shared secret the tests
// handle, every error body they receive, and keeps every host's log and database there when
// the host goes away. tests/e2e/e2e_secrets_scan_test.cpp searches it all afterwards.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rct {

enum class SecretKind { kToken, kPassword, kSharedSecret };

// Each does nothing when the scan is off; values shorter than 8 bytes are not recorded, as
// they would match by chance.
void record_secret(SecretKind kind, std::string_view value);
// A request body the tests sent: its "password" and "secret" string fields.
void record_request_body(std::string_view body);
// A response: its "authToken", and the whole body when the status is an error.
void record_response(int status, std::string_view body);
// rchost command-line arguments: values of --password and of a stored secret setting.
void record_command(const std::vector<std::string>& args);
// Copies host.log, the SQLite files and CLI output under `dir` into the scan directory.
void keep_artifacts(const std::filesystem::path& dir);

}  // namespace rct
