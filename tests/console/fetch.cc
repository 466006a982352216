#include "tests/console/fetch.h"

#include <zlib.h>

#include <regex>
#include <stdexcept>

#include "tests/support/daemon.h"
#include "tests/support/shared_services.h"

namespace lokahi::testing {

RawResponse Fetch(int port, const std::string& method, const std::string& target,
                  const std::vector<std::string>& headers, const std::string& body,
                  const std::string& content_type) {
  RawConnection connection(port);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) request += h + "\r\n";
  if (method == "POST") {
    request += "Content-Type: " + content_type +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "Connection: close\r\n\r\n" + body;
  if (!connection.Send(request)) throw std::runtime_error("could not send " + target);
  auto response = connection.ReadResponse(std::chrono::seconds(10), method == "HEAD");
  if (!response) throw std::runtime_error("no answer to " + method + " " + target);
  return *response;
}

std::unique_ptr<ChildProcess> StartConsoleLokahid(const std::string& database_url, int port,
                                                  const auth::Credentials& admin) {
  return StartDaemon("lokahid/lokahid",
                     {{"DATABASE_URL", database_url},
                      {"NATS_URL", Services().nats.Url()},
                      {"PORT", std::to_string(port)},
                      {"USERPASS", admin.user + ":" + admin.password}},
                     port);
}

std::string CsrfOf(const std::string& page) {
  static const std::regex kCsrf(R"re(name="csrf" value="([0-9a-f]+)")re");
  std::smatch m;
  if (!std::regex_search(page, m, kCsrf)) return "";
  return m[1];
}

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out;
  char buffer[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("not a whole gzip stream");
  return out;
}

}  // namespace lokahi::testing
