/* The log-linear latency histogram's bucket, as LatencyHistogram.swift reads it: bucket v for
 * v < 8 ns, then four buckets per power of two (25 % wide); the last bucket holds everything
 * from 2^17 ns. Shared by native_refs.bpf.c and strategies.bpf.c's timed programs. */
#ifndef MB_LATENCY_HIST_H
#define MB_LATENCY_HIST_H

#define MB_HIST_BUCKETS 64

static __always_inline __u32 mb_msb(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline __u32 mb_hist_bucket(__u64 v)
{
	__u32 msb, b;

	if (v < 8)
		return v;
	msb = mb_msb(v);
	b = 8 + (msb - 3) * 4 + ((v >> (msb - 2)) & 3);
	return b < MB_HIST_BUCKETS ? b : MB_HIST_BUCKETS - 1;
}

#endif
