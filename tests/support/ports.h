#pragma once
namespace lokahi::testing {
// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it).
int FreePort();
// True once something accepts connections on 127.0.0.1:port.
bool PortAccepts(int port);
}  // namespace lokahi::testing
