package io.iscsi4j.initiator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.core.pdu.AsyncMessage;
import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.NopIn;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.Reject;
import io.iscsi4j.core.pdu.RejectReason;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.ScsiResponse;
import io.iscsi4j.initiator.ConnectionLostException;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.ScsiRequest;
import io.iscsi4j.initiator.ScsiResult;
import io.iscsi4j.initiator.TaskManagementResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session engine against a scripted target: the PDUs an ordinary target rarely sends. */
@Timeout(30)
class SessionEngineTest {

    private static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0};

    private ScriptedTarget target;
    private IscsiInitiator initiator;

    @BeforeEach
    void start() throws Exception {
        target = new ScriptedTarget();
        initiator = IscsiInitiator.builder().build();
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private IscsiSession login() throws Exception {
        return initiator.login(target.portal(), "iqn.2026-12.io.iscsi4j:scripted", LoginOptions.builder()
                .commandTimeout(Duration.ofSeconds(2)).build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private ScsiCommand takeCommand() throws Exception {
        Pdu pdu = target.take();
        assertThat(pdu).isInstanceOf(ScsiCommand.class);
        return (ScsiCommand) pdu;
    }

    private static ByteBuf bytes(int n, int value) {
        ByteBuf b = Unpooled.buffer(n);
        for (int i = 0; i < n; i++) {
            b.writeByte(value);
        }
        return b;
    }

    @Test
    void dataInWithStatusAndAnUnderflow() throws Exception {
        IscsiSession session = login();
        CompletableFuture<ScsiResult> read = session.execute(ScsiRequest.read(0, READ_10, 4096))
                .toCompletableFuture();
        ScsiCommand command = takeCommand();
        assertThat(command.read()).isTrue();
        assertThat(command.expectedDataTransferLength()).isEqualTo(4096);
        target.send(DataIn.builder().initiatorTaskTag(command.initiatorTaskTag()).dataSN(0).bufferOffset(0)
                .statSN(0).expCmdSN(command.cmdSN() + 1).maxCmdSN(command.cmdSN() + 32)
                .data(bytes(1024, 0xA1)).build());
        target.send(DataIn.builder().initiatorTaskTag(command.initiatorTaskTag()).dataSN(1).bufferOffset(1024)
                .finalFlag(true).statusPresent(true).status(0).residualUnderflow(true).residualCount(2048)
                .statSN(target.nextStatSN()).expCmdSN(command.cmdSN() + 1).maxCmdSN(command.cmdSN() + 32)
                .data(bytes(1024, 0xA2)).build());
        ScsiResult result = read.get(5, TimeUnit.SECONDS);
        command.release();
        assertThat(result.isGood()).isTrue();
        assertThat(result.residual()).isEqualTo(2048);
        assertThat(result.data().remaining()).isEqualTo(2048);
        assertThat(result.data().get(0)).isEqualTo((byte) 0xA1);
        assertThat(result.data().get(2047)).isEqualTo((byte) 0xA2);
    }

    @Test
    void dataInOutOfOrderIsAProtocolErrorThatEndsTheConnection() throws Exception {
        IscsiSession session = login();
        CompletableFuture<ScsiResult> read = session.execute(ScsiRequest.read(0, READ_10, 4096))
                .toCompletableFuture();
        ScsiCommand command = takeCommand();
        target.send(DataIn.builder().initiatorTaskTag(command.initiatorTaskTag()).dataSN(5).bufferOffset(0)
                .statSN(0).expCmdSN(command.cmdSN() + 1).maxCmdSN(command.cmdSN() + 32)
                .data(bytes(512, 1)).build());
        command.release();
        assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectionLostException.class);
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void aRejectedCommandFails() throws Exception {
        IscsiSession session = login();
        CompletableFuture<ScsiResult> read = session.execute(ScsiRequest.read(0, READ_10, 512))
                .toCompletableFuture();
        ScsiCommand command = takeCommand();
        ByteBuf header = Unpooled.buffer(48);
        command.encodeHeader(header);
        command.release();
        target.send(Reject.builder().initiatorTaskTag(Pdu.RESERVED_TAG).reason(RejectReason.INVALID_PDU_FIELD)
                .statSN(target.nextStatSN()).expCmdSN(command.cmdSN() + 1).maxCmdSN(command.cmdSN() + 32)
                .rejectedHeader(header).build());
        assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IscsiException.class).hasMessageContaining("rejected");
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void aClosedWindowHoldsCommandsUntilTheTargetOpensIt() throws Exception {
        target.windowAhead(-1); // MaxCmdSN = ExpCmdSN - 1: nothing may be sent
        IscsiSession session = login();
        CompletableFuture<ScsiResult> first = session.execute(ScsiRequest.noData(0, new byte[6]))
                .toCompletableFuture();
        CompletableFuture<ScsiResult> second = session.execute(ScsiRequest.noData(0, new byte[6]))
                .toCompletableFuture();
        assertThat(target.poll(300)).isNull();
        // a queued command is aborted without asking the target
        assertThat(session.abort(second).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(TaskManagementResult.FUNCTION_COMPLETE);
        assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        // a NOP-In ping of the target carries the new window; the initiator echoes its tag and data
        int cmdSN = target.loginCmdSN();
        target.send(NopIn.builder().initiatorTaskTag(Pdu.RESERVED_TAG).targetTransferTag(0x1234)
                .statSN(target.nextStatSN()).expCmdSN(cmdSN).maxCmdSN(cmdSN + 8)
                .data(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII)).build());
        Pdu one = target.take();
        Pdu two = target.take();
        NopOut nopOut = (NopOut) (one instanceof NopOut ? one : two);
        Pdu command = one instanceof NopOut ? two : one;
        assertThat(nopOut.targetTransferTag()).isEqualTo(0x1234);
        assertThat(nopOut.initiatorTaskTag()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(nopOut.data().toString(StandardCharsets.US_ASCII)).isEqualTo("ping");
        assertThat(command).isInstanceOf(ScsiCommand.class);
        ScsiCommand sent = (ScsiCommand) command;
        assertThat(sent.cmdSN()).isEqualTo(cmdSN);
        target.send(ScsiResponse.builder().initiatorTaskTag(sent.initiatorTaskTag()).status(0)
                .statSN(target.nextStatSN()).expCmdSN(sent.cmdSN() + 1).maxCmdSN(sent.cmdSN() + 8).build());
        assertThat(first.get(5, TimeUnit.SECONDS).isGood()).isTrue();
        nopOut.release();
        sent.release();
    }

    @Test
    void anAsyncLogoutRequestLogsOut() throws Exception {
        IscsiSession session = login();
        int cmdSN = target.loginCmdSN();
        target.send(AsyncMessage.builder().initiatorTaskTag(Pdu.RESERVED_TAG).asyncEvent(1).parameter3(5)
                .statSN(target.nextStatSN()).expCmdSN(cmdSN).maxCmdSN(cmdSN + 31).build());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (session.isOpen() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void logoutSendsALogoutRequest() throws Exception {
        IscsiSession session = login();
        session.logout().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(session.isOpen()).isFalse();
        assertThat(target.poll(100)).isNull(); // the scripted target answers logouts itself
    }
}
