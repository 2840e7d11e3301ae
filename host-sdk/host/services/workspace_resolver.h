// Maps a request's Host header to a workspace: port stripped, case ignored, the storage
// mapping if any, else the default workspace.
#pragma once

#include <string>

#include "storage/storage.h"

namespace host {

// "Chat.Example.COM:3000" -> "chat.example.com"; "[::1]:3000" -> "[::1]".
std::string normalize_host(std::string_view host_header);

class WorkspaceResolver {
 public:
  WorkspaceResolver(Storage& storage, std::string default_workspace)
      : storage_(storage), default_workspace_(std::move(default_workspace)) {}

  Result<std::string> resolve(std::string_view host_header);
  const std::string& default_workspace() const noexcept { return default_workspace_; }

 private:
  Storage& storage_;
  std::string default_workspace_;
};

}  // namespace host
