package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LbaLocksTest {

    private final LbaLocks locks = new LbaLocks();
    private final List<String> granted = new ArrayList<>();
    private final List<LbaLocks.Claim> claims = new ArrayList<>();

    private void acquire(String name, long lba, long blocks, boolean exclusive) {
        locks.acquire(lba, blocks, exclusive, claim -> {
            granted.add(name);
            claims.add(claim);
        });
    }

    private LbaLocks.Claim claim(String name) {
        return claims.get(granted.indexOf(name));
    }

    @Test
    void sharedClaimsNeverWait() {
        acquire("a", 0, 10, false);
        acquire("b", 5, 10, false);

        assertThat(granted).containsExactly("a", "b");
        assertThat(locks.grantedCount()).isEqualTo(2);
    }

    @Test
    void exclusiveClaimWaitsForOverlappingClaimsOnly() {
        acquire("read", 0, 10, false);
        acquire("caw", 9, 2, true);
        acquire("elsewhere", 100, 1, true);

        assertThat(granted).containsExactly("read", "elsewhere");

        locks.release(claim("read"));

        assertThat(granted).containsExactly("read", "elsewhere", "caw");
        assertThat(locks.waitingCount()).isZero();
    }

    @Test
    void laterSharedClaimQueuesBehindAWaitingExclusiveOne() {
        acquire("read1", 0, 10, false);
        acquire("caw", 0, 1, true);
        acquire("read2", 0, 1, false);
        acquire("read3", 50, 1, false);

        assertThat(granted).containsExactly("read1", "read3");

        locks.release(claim("read1"));
        assertThat(granted).containsExactly("read1", "read3", "caw");

        locks.release(claim("caw"));
        assertThat(granted).containsExactly("read1", "read3", "caw", "read2");
    }

    @Test
    void adjacentRangesDoNotConflict() {
        acquire("a", 0, 10, true);
        acquire("b", 10, 10, true);

        assertThat(granted).containsExactly("a", "b");
    }

    @Test
    void wholeUnitClaimWaitsForEverythingAndBlocksEverything() {
        acquire("write", Long.MAX_VALUE - 2, 1, false);
        acquire("sanitize", 0, LbaLocks.ALL, true);
        acquire("read", 0, 1, false);

        assertThat(granted).containsExactly("write");
        locks.release(claim("write"));
        assertThat(granted).containsExactly("write", "sanitize");
        locks.release(claim("sanitize"));
        assertThat(granted).containsExactly("write", "sanitize", "read");
    }

    @Test
    void releasingTwiceIsAnError() {
        acquire("a", 0, 1, false);
        locks.release(claim("a"));

        assertThatThrownBy(() -> locks.release(claim("a"))).isInstanceOf(IllegalStateException.class);
    }

    /** A claim object of the caller's, as {@link BlockIo} is: counts its grants. */
    private static final class OwnClaim extends LbaLocks.Claim {
        int grants;

        @Override
        void granted() {
            grants++;
        }
    }

    @Test
    void aCallersOwnClaimIsGrantedWhenTheConflictingClaimIsReleased() {
        acquire("caw", 3, 1, true);
        OwnClaim read = new OwnClaim();
        locks.acquire(read, 0, 8, false);

        assertThat(read.grants).isZero();
        assertThat(locks.waitingCount()).isEqualTo(1);

        locks.release(claim("caw"));

        assertThat(read.grants).isEqualTo(1);
        assertThat(locks.grantedCount()).isEqualTo(1);
        acquire("write", 0, 1, true);
        assertThat(granted).as("the caller's claim holds its blocks").containsExactly("caw");
        locks.release(read);
        assertThat(granted).containsExactly("caw", "write");
    }

    @Test
    void aClaimObjectIsAcquiredOnceEvenAfterItsRelease() {
        OwnClaim claim = new OwnClaim();
        locks.acquire(claim, 0, 1, true);

        assertThatThrownBy(() -> locks.acquire(claim, 5, 1, true)).isInstanceOf(IllegalStateException.class);
        assertThat(locks.grantedCount()).isEqualTo(1);

        locks.release(claim);

        assertThatThrownBy(() -> locks.acquire(claim, 0, 1, true)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new LbaLocks().acquire(claim, 0, 1, false))
                .isInstanceOf(IllegalStateException.class);
        assertThat(locks.grantedCount()).isZero();
        assertThat(locks.waitingCount()).isZero();
        assertThat(claim.grants).isEqualTo(1);
    }
}
