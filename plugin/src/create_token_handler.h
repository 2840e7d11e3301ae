// The route handler of POST /api/v1/users.createToken: decides, mints through the host's
// session service, records the attempt and writes the answer.
#pragma once

#include "hostsdk/plugin.h"

namespace create_token {

class CreateTokenHandler final : public hostsdk::RouteHandler {
 public:
  explicit CreateTokenHandler(hostsdk::Host& host) noexcept : host_(host) {}

  void handle(const hostsdk::Request& request, hostsdk::Response& response) override;

 private:
  hostsdk::Host& host_;
};

}  // namespace create_token
