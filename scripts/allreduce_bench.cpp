// MPI_Allreduce (sum, f32, in place) time per call against message size, for the alpha-beta model
// of docs/scale-out.md. Build and run (prints "bytes seconds_per_call" lines, from rank 0):
//   mpicxx -O2 scripts/allreduce_bench.cpp -o /tmp/allreduce_bench
//   mpirun -np 2 /tmp/allreduce_bench
#include <mpi.h>

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (long n = 1; n <= (1L << 22); n *= 4) {  // 4 B .. 16 MiB
    std::vector<float> data(static_cast<std::size_t>(n), 1.0f);
    const int iters = n <= 4096 ? 2000 : n <= (1L << 18) ? 200 : 20;
    for (int i = 0; i < 5; ++i) MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    for (int i = 0; i < iters; ++i) MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    const double t = (MPI_Wtime() - t0) / iters;
    if (rank == 0) std::printf("%ld %.3g\n", n * 4, t);
  }
  MPI_Finalize();
  return 0;
}
