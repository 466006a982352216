#pragma once
namespace lokahi::testing {
// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it).
int FreePort();
// A TCP port on 127.0.0.1 below 32768 that was free a moment ago. The kernel gives clients'
// local ports from 32768 up, so a server that stops and starts again on a port below that range
// never finds it taken by some client's connection meanwhile.
int FreePortBelowEphemeral();
// True once something accepts connections on 127.0.0.1:port.
bool PortAccepts(int port);
// A socket listening on 127.0.0.1 at a port the kernel picked (stored in *port): connections
// complete into its backlog whether or not anyone accepts them. The caller closes it.
int ListenOnLoopback(int* port, int backlog = 16);
}  // namespace lokahi::testing
