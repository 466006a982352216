#pragma once
// One HTTP/1.1 exchange with lokahid on 127.0.0.1, as the console's tests send them.

#include <memory>
#include <string>
#include <vector>

#include "lib/auth/basic_auth.h"
#include "tests/support/child_process.h"
#include "tests/support/raw_http.h"

namespace lokahi::testing {

// `method` `target` with `headers` ("Name: value"); a POST body is sent as a form.
RawResponse Fetch(int port, const std::string& method, const std::string& target,
                  const std::vector<std::string>& headers = {}, const std::string& body = "",
                  const std::string& content_type = "application/x-www-form-urlencoded");

// lokahid on `port` over the database at `database_url` (and the shared NATS), with `admin` as
// USERPASS; waits until it listens.
std::unique_ptr<ChildProcess> StartConsoleLokahid(const std::string& database_url, int port,
                                                  const auth::Credentials& admin);

// The CSRF token of the first form in `page`, "" when there is none.
std::string CsrfOf(const std::string& page);

// `data` (one gzip member) inflated with zlib; throws unless it is one whole gzip stream.
std::string Gunzip(const std::string& data);

}  // namespace lokahi::testing
