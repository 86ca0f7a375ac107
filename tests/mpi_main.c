/*
 * mpi_main.c - run the MPI suites on every rank (tests/mpi.sh starts 1 to
 * 4 of them).  Each rank runs every case in its own process, without
 * forking, so that every rank reaches each collective in the same order;
 * every rank's failures count.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mpi_util.h"

MPI_Comm test_comm = MPI_COMM_NULL;
int test_rank, test_size;
int test_fail_next, test_fail_after;

/* The profiling interface: calls that libwq-mpi makes of MPI_Allgather,
 * MPI_Allreduce, MPI_Allgatherv and MPI_Win_allocate reach these first,
 * which fail on request (test_fail_next, test_fail_after). */
int MPI_Allgather(const void *sb, int sc, MPI_Datatype st, void *rb, int rc,
                  MPI_Datatype rt, MPI_Comm comm)
{
    if (test_fail_next == 1 && !test_fail_after--) {
        test_fail_next = test_fail_after = 0;
        return MPI_ERR_OTHER;
    }
    return PMPI_Allgather(sb, sc, st, rb, rc, rt, comm);
}

int MPI_Allreduce(const void *sb, void *rb, int count, MPI_Datatype type,
                  MPI_Op op, MPI_Comm comm)
{
    if (test_fail_next == 3 && !test_fail_after--) {
        test_fail_next = test_fail_after = 0;
        return MPI_ERR_OTHER;
    }
    return PMPI_Allreduce(sb, rb, count, type, op, comm);
}

int MPI_Allgatherv(const void *sb, int sc, MPI_Datatype st, void *rb,
                   const int *rc, const int *displs, MPI_Datatype rt,
                   MPI_Comm comm)
{
    if (test_fail_next == 4 && !test_fail_after--) {
        test_fail_next = test_fail_after = 0;
        return MPI_ERR_OTHER;
    }
    return PMPI_Allgatherv(sb, sc, st, rb, rc, displs, rt, comm);
}

int MPI_Win_allocate(MPI_Aint size, int unit, MPI_Info info, MPI_Comm comm,
                     void *base, MPI_Win *win)
{
    if (test_fail_next == 2 && !test_fail_after--) {
        test_fail_next = test_fail_after = 0;
        return MPI_ERR_OTHER;
    }
    return PMPI_Win_allocate(size, unit, info, comm, base, win);
}

void mpi_timeout_start(void)
{
    const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
    unsigned mult = m && atoi(m) > 0 ? (unsigned)atoi(m) : 1;
    alarm(MPI_TEST_TIMEOUT * mult);
}

void mpi_timeout_stop(void)
{
    alarm(0);
    test_fail_next = test_fail_after = 0;
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

int main(int argc, char **argv)
{
    int provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return EXIT_FAILURE;
    MPI_Comm_dup(MPI_COMM_WORLD, &test_comm);
    MPI_Comm_set_errhandler(test_comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(test_comm, &test_rank);
    MPI_Comm_size(test_comm, &test_size);
    /* A hang anywhere ends in SIGALRM's default: the process dies. */
    signal(SIGALRM, SIG_DFL);

    SRunner *sr = srunner_create(suite_mpi_reduce());
    srunner_add_suite(sr, suite_mpi_map());
    srunner_add_suite(sr, suite_mpi_pool());
    srunner_set_fork_status(sr, CK_NOFORK);
    /* One rank speaks for all unless a case fails. */
    srunner_run_all(sr, test_rank ? CK_SILENT : CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    if (failed && test_rank)
        srunner_print(sr, CK_NORMAL);
    srunner_free(sr);
    int any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, test_comm);
    MPI_Comm_free(&test_comm);
    MPI_Finalize();
    if (!test_rank)
        printf("check_mpi: %d ranks, %s\n", test_size,
               any ? "a case failed" : "every case passed on every rank");
    return any ? EXIT_FAILURE : EXIT_SUCCESS;
}
