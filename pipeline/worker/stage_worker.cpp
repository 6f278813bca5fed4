// cvpipe-stage-worker: runs one stage for a host that isolates it (src/isolation/isolated_stage.hpp).
// The host starts it with requests on fd 3 and answers on fd 4; it is not meant to be run by hand.
#include "isolation/isolated_stage.hpp"

int main() { return cvpipe::serve_isolated_stage(3, 4); }
