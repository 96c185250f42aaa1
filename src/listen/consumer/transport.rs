//! The byte stream lapin speaks AMQP over: TCP, with TLS for `amqps://` done here
//! (tokio-rustls on the rustls client `tls` builds), not by lapin's TLS features.
//!
//! lapin's `Connection::connector` drives whatever stream our connect function returns,
//! as long as it is the TCP stream type of the runtime's reactor. So the runtime given
//! to lapin is tokio's executor with a reactor ([`BusReactor`]) whose stream is a
//! [`Transport`]: plain TCP or TLS over it. lapin is built without a TLS feature; an
//! `amqps://` URL gets a TLS stream or no connection at all, never a plain one.

use async_rs::traits::Reactor;
use async_rs::util::RuntimeParts;
use async_rs::{Runtime, Tokio};
use futures_io::{AsyncRead, AsyncWrite};
use lapin::AsyncTcpStream;
use lapin::uri::{AMQPScheme, AMQPUri};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::ready;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::ReadBuf;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The connection to the broker: plain TCP (`amqp://`) or TLS over TCP (`amqps://`).
#[derive(Debug)]
pub(super) enum Transport {
    /// `amqp://`.
    Plain(TcpStream),
    /// `amqps://`, after a completed handshake.
    Tls(Box<TlsStream<TcpStream>>),
}

/// The runtime lapin runs on: the current tokio runtime, with [`BusReactor`]'s streams.
pub(super) type BusRuntime = Runtime<RuntimeParts<Tokio, BusReactor>>;

/// The runtime for lapin, on the tokio runtime this is called from.
pub(super) fn runtime() -> BusRuntime {
    let tokio = Tokio::current();
    Runtime::new(RuntimeParts::new(tokio.clone(), BusReactor(tokio)))
}

/// Opens the stream to `uri`: TCP to its host and port, then for `amqps://` the TLS
/// handshake with the client configuration `tls` (the broker's certificate checked for
/// the URL's host). An `amqps://` URL without one is an error before anything is sent.
pub(super) async fn open(
    uri: &AMQPUri,
    tls: Option<&Arc<ClientConfig>>,
) -> io::Result<AsyncTcpStream<Transport>> {
    let tls = match (&uri.scheme, tls) {
        (AMQPScheme::AMQP, _) => None,
        (AMQPScheme::AMQPS, Some(c)) => Some(c),
        (AMQPScheme::AMQPS, None) => {
            return Err(io::Error::other(
                "amqps:// without a TLS connector: refusing a plain connection",
            ));
        }
    };
    let host = uri.authority.host.as_str();
    // lapin calls this in its I/O thread, inside the runtime (`Executor::block_on`)
    let tcp = TcpStream::connect((host, uri.authority.port)).await?;
    let stream = match tls {
        None => Transport::Plain(tcp),
        Some(c) => {
            let name = ServerName::try_from(host.to_string())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let tls = TlsConnector::from(Arc::clone(c)).connect(name, tcp).await?;
            Transport::Tls(Box::new(tls))
        }
    };
    // `Plain` is tcp-stream's name for a stream it adds no TLS to: ours has its own.
    Ok(AsyncTcpStream::Plain(stream))
}

/// tokio's reactor, its TCP streams as [`Transport`] (the type lapin's connect function
/// must return; lapin itself connects nothing through it).
#[derive(Clone, Debug)]
pub(super) struct BusReactor(Tokio);

impl Reactor for BusReactor {
    type TcpStream = Transport;
    type Sleep = <Tokio as Reactor>::Sleep;

    // `AsFd + AsRawFd` is what the trait's `AsSysFd` (not exported) stands for on unix
    fn register<H: io::Read + io::Write + AsFd + AsRawFd + Send + 'static>(
        &self,
        socket: H,
    ) -> io::Result<impl AsyncRead + AsyncWrite + Send + Unpin + 'static> {
        self.0.register(socket)
    }

    fn sleep(&self, dur: Duration) -> Self::Sleep {
        self.0.sleep(dur)
    }

    fn interval(
        &self,
        dur: Duration,
    ) -> impl futures_util::Stream<Item = Instant> + Send + 'static {
        self.0.interval(dur)
    }

    fn tcp_connect_addr(
        &self,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<Self::TcpStream>> + Send + 'static {
        let tcp = self.0.tcp_connect_addr(addr);
        // tokio's reactor wraps its stream for the `futures` traits; ours does that itself
        async move { Ok(Transport::Plain(tcp.await?.into_inner())) }
    }
}

impl Transport {
    fn tokio(self: Pin<&mut Self>) -> Pin<&mut dyn TokioIo> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s),
            Transport::Tls(s) => Pin::new(&mut **s),
        }
    }
}

/// A tokio byte stream.
trait TokioIo: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> TokioIo for T {}

// lapin reads and writes through the `futures` I/O traits; the streams are tokio's.
impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        ready!(self.tokio().poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().len()))
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.tokio().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.tokio().poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tokio().poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tokio().poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn uri(url: String) -> AMQPUri {
        url.parse().unwrap()
    }

    #[tokio::test]
    async fn amqps_without_a_tls_configuration_connects_nothing() {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = socket.local_addr().unwrap().port();
        let url = uri(format!("amqps://127.0.0.1:{port}/%2F"));
        let e = open(&url, None).await.unwrap_err();
        assert!(e.to_string().contains("refusing a plain connection"), "{e}");
        let accepted = tokio::time::timeout(Duration::from_millis(200), socket.accept()).await;
        assert!(accepted.is_err(), "a connection was made");
    }

    /// `amqp://` is plain TCP, read and written through the `futures` traits lapin uses.
    #[tokio::test]
    async fn amqp_is_plain_tcp_through_the_futures_traits() {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = socket.local_addr().unwrap().port();
        let url = uri(format!("amqp://localhost:{port}/%2F"));
        let (stream, accepted) = tokio::join!(open(&url, None), socket.accept());
        let (mut peer, _) = accepted.unwrap();
        let AsyncTcpStream::Plain(mut t) = stream.unwrap() else {
            panic!("not our transport")
        };
        assert!(matches!(t, Transport::Plain(_)));
        let n = poll_fn(|cx| Pin::new(&mut t).poll_write(cx, b"AMQP")).await;
        assert_eq!(n.unwrap(), 4);
        poll_fn(|cx| Pin::new(&mut t).poll_flush(cx)).await.unwrap();
        let mut got = [0u8; 4];
        peer.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"AMQP");
        peer.write_all(b"ok").await.unwrap();
        let mut buf = [0u8; 8];
        let n = poll_fn(|cx| Pin::new(&mut t).poll_read(cx, &mut buf)).await;
        assert_eq!(&buf[..n.unwrap()], b"ok");
        poll_fn(|cx| Pin::new(&mut t).poll_close(cx)).await.unwrap();
        assert_eq!(peer.read(&mut buf).await.unwrap(), 0, "closed");
    }

    #[tokio::test]
    async fn the_reactor_connects_plain_tcp() {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let rt = runtime();
        let (stream, accepted) = tokio::join!(rt.tcp_connect_addr(addr), socket.accept());
        let (_, from) = accepted.unwrap();
        match stream.unwrap() {
            Transport::Plain(tcp) => assert_eq!(tcp.local_addr().unwrap(), from),
            Transport::Tls(_) => panic!("TLS from the reactor"),
        }
    }
}
