/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A classic BPF interpreter for what libseccomp emits: a program's verdict
 * for a call (any ABI's, whatever this kernel runs) read without making it. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>

#include "test.h"

static inline uint32_t bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d) {
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};

        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *i = &f[pc];
                uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
                bool taken;

                switch (BPF_CLASS(i->code)) {
                case BPF_LD:
                        if (BPF_MODE(i->code) == BPF_ABS && BPF_SIZE(i->code) == BPF_W) {
                                ASSERT_TRUE(i->k % 4 == 0 && i->k + 4 <= sizeof *d);
                                memcpy(&a, (const char *) d + i->k, 4);
                        } else if (BPF_MODE(i->code) == BPF_IMM)
                                a = i->k;
                        else if (BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS)
                                a = mem[i->k];
                        else
                                TEST_FAIL("BPF: unknown load 0x%x at %zu", i->code, pc);
                        break;
                case BPF_LDX:
                        if (BPF_MODE(i->code) == BPF_IMM)
                                x = i->k;
                        else if (BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS)
                                x = mem[i->k];
                        else
                                TEST_FAIL("BPF: unknown load 0x%x at %zu", i->code, pc);
                        break;
                case BPF_ST:
                case BPF_STX:
                        ASSERT_TRUE(i->k < BPF_MEMWORDS);
                        mem[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
                        break;
                case BPF_ALU:
                        switch (BPF_OP(i->code)) {
                        case BPF_ADD: a += src; break;
                        case BPF_SUB: a -= src; break;
                        case BPF_AND: a &= src; break;
                        case BPF_OR:  a |= src; break;
                        case BPF_XOR: a ^= src; break;
                        case BPF_LSH: a <<= (src & 31); break;
                        case BPF_RSH: a >>= (src & 31); break;
                        case BPF_NEG: a = -a; break;
                        default: TEST_FAIL("BPF: unknown ALU op 0x%x at %zu", i->code, pc);
                        }
                        break;
                case BPF_JMP:
                        if (BPF_OP(i->code) == BPF_JA) {
                                pc += i->k;
                                break;
                        }
                        switch (BPF_OP(i->code)) {
                        case BPF_JEQ:  taken = a == src; break;
                        case BPF_JGT:  taken = a > src; break;
                        case BPF_JGE:  taken = a >= src; break;
                        case BPF_JSET: taken = (a & src) != 0; break;
                        default: TEST_FAIL("BPF: unknown jump 0x%x at %zu", i->code, pc);
                        }
                        pc += taken ? i->jt : i->jf;
                        break;
                case BPF_RET:
                        return BPF_RVAL(i->code) == BPF_A ? a : i->k;
                case BPF_MISC:
                        if (BPF_MISCOP(i->code) == BPF_TAX)
                                x = a;
                        else
                                a = x;
                        break;
                default:
                        TEST_FAIL("BPF: unknown class 0x%x at %zu", i->code, pc);
                }
        }
        TEST_FAIL("BPF: the program ran off its end");
}
