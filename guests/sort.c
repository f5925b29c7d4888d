/*
 * sort — sorts private values and publishes them in order.
 *
 * Inputs:  public: n (at most 256), checksum (the wrapping 64-bit sum of the values);
 *          private: the n values (unsigned 64-bit).
 * Outputs: the n values in ascending (unsigned) order.
 *          With public [8, 0x8000000000000018] and private
 *          [5, 3, 0x8000000000000000, 9, 1, 3, 0, 3] the instances are
 *          [8, 0x8000000000000018, 0, 1, 3, 3, 3, 5, 9, 0x8000000000000000].
 * Checks:  require(sum of the private values == checksum) — a wrong private input fails
 *          the run; require(sorted) after sorting.
 * Exercises: recursive quicksort + insertion sort, i64 compares (unsigned), i64 loads and
 *          stores through pointers, a static buffer.
 */
#include "zkwasm.h"

typedef unsigned long long u64;

#define MAX_N 256

static u64 values[MAX_N];

static void insertion_sort(u64 *a, int n) {
    for (int i = 1; i < n; i++) {
        u64 v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

__attribute__((noinline)) static void quicksort(u64 *a, int n) {
    while (n > 8) {
        /* median of three pivot */
        u64 x = a[0], y = a[n / 2], z = a[n - 1];
        u64 pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            u64 t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* a[0..=j] <= pivot <= a[j+1..n]; recurse on the smaller side */
        int left = j + 1, right = n - left;
        if (left < right) {
            quicksort(a, left);
            a += left;
            n = right;
        } else {
            quicksort(a + left, right);
            n = left;
        }
    }
    insertion_sort(a, n);
}

void zkmain(void) {
    u64 n = zk_public_u64();
    u64 checksum = zk_public_u64();
    zk_assert(n <= MAX_N);

    u64 sum = 0;
    for (int i = 0; i < (int)n; i++) {
        values[i] = zk_private_u64();
        sum += values[i];
    }
    zk_assert(sum == checksum);

    quicksort(values, (int)n);

    for (int i = 1; i < (int)n; i++) zk_assert(values[i - 1] <= values[i]);
    for (int i = 0; i < (int)n; i++) zk_output_u64(values[i]);
}
