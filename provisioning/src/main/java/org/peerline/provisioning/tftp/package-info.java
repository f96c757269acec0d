/**
 * ## TFTP server for phone provisioning
 *
 * `TftpServer` is a read-only TFTP server (RFC 1350) from which desk phones fetch their configuration files; DHCP
 * option 66 points them at it. `TftpServer.start(address, source)` binds the listening socket; a `FileSource` maps
 * the requested name (one leading '/' removed, '/' allowed inside) and the client's address to the file's bytes.
 *
 * - Modes `octet` and `netascii` (any case); netascii sends LF as CR LF and CR as CR NUL. Other modes: ERROR 4.
 * - Options (RFC 2347): `blksize` 8..65464, granted up to 1428 so DATA fits a 1500-byte MTU (RFC 2348); `timeout`
 *   1..255 s (RFC 2349); `tsize`, answered with the number of bytes that will be sent. A recognised option makes the
 *   server send an OACK and wait for ACK 0; unknown options are ignored; a bad value gets ERROR 8.
 * - Each transfer runs from a new UDP port, in lock-step: the last DATA is sent again after the timeout (default
 *   1 s), at most 5 times, then the transfer is given up. Duplicate ACKs are ignored; packets from another address
 *   or port get ERROR 5. A file whose size is a multiple of the block size ends with an empty DATA; block numbers
 *   wrap from 65535 to 0.
 * - Refusals: write requests get ERROR 2 "read-only server"; malformed packets, names over 255 bytes or with
 *   control characters get ERROR 4; a missing file ERROR 1; a failing `FileSource` ERROR 0 "internal error".
 * - At most 32 transfers at once (ERROR 0 "server busy, retry" beyond); a retransmitted RRQ does not start a second
 *   transfer. Threads: "tftp-listen" reads requests, a pool of "tftp-N" threads runs the transfers.
 * - Logs: one INFO line per finished or abandoned transfer and per refused request; missing files and malformed
 *   packets at DEBUG only, since scanners probe for them.
 *
 * Tests (`Tftp*Test`) use real sockets on 127.0.0.1: the `curl` TFTP client (skipped if curl is missing) and a
 * hand-made client for OACK, retransmission, wrong TIDs and refusals:
 * `mvn -B -o -q test -pl provisioning -Dtest='Tftp*' -Dsurefire.failIfNoSpecifiedTests=false`.
 * By hand: `curl -o out.cfg tftp://BOX/NAME` (add `--tftp-blksize 1024` or `--tftp-no-options`).
 */
package org.peerline.provisioning.tftp;
