#pragma once
namespace lokahi::testing {
// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it).
int FreePort();
// True once something accepts connections on 127.0.0.1:port.
bool PortAccepts(int port);
// A socket listening on 127.0.0.1 at a port the kernel picked (stored in *port): connections
// complete into its backlog whether or not anyone accepts them. The caller closes it.
int ListenOnLoopback(int* port, int backlog = 16);
}  // namespace lokahi::testing
