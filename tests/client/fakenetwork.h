#pragma once

#include <QBuffer>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <functional>

namespace cb::test {

/// A request as it would have gone on the wire.
struct RecordedRequest
{
    QByteArray verb;
    QUrl url;
    QMap<QByteArray, QByteArray> headers;
    QByteArray body;
};

/// What the fake server answers; status 0 is a connection failure.
struct CannedReply
{
    int status = 200;
    QByteArray body;
};

class FakeReply final : public QNetworkReply
{
    Q_OBJECT

public:
    FakeReply(const QNetworkRequest &request, QNetworkAccessManager::Operation op,
              const CannedReply &canned, QObject *parent)
        : QNetworkReply(parent), m_data(canned.body)
    {
        setRequest(request);
        setUrl(request.url());
        setOperation(op);
        open(QIODevice::ReadOnly);
        QTimer::singleShot(0, this, [this, canned] {
            if (isFinished())
                return;
            if (canned.status == 0) {
                setError(QNetworkReply::ConnectionRefusedError,
                         QStringLiteral("Connection refused"));
                Q_EMIT errorOccurred(error());
            } else {
                setAttribute(QNetworkRequest::HttpStatusCodeAttribute, canned.status);
                setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
                Q_EMIT metaDataChanged();
                Q_EMIT readyRead();
            }
            setFinished(true);
            Q_EMIT finished();
        });
    }

    void abort() override
    {
        if (isFinished())
            return;
        setError(QNetworkReply::OperationCanceledError, QStringLiteral("Operation canceled"));
        setFinished(true);
        Q_EMIT finished();
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override
    {
        return m_data.size() - m_pos + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = qMin(maxSize, m_data.size() - m_pos);
        if (n <= 0)
            return isFinished() ? -1 : 0;
        memcpy(data, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }

private:
    QByteArray m_data;
    qint64 m_pos = 0;
};

/// A QNetworkAccessManager that records every request and answers from a handler, offline.
class FakeNetwork final : public QNetworkAccessManager
{
    Q_OBJECT

public:
    std::function<CannedReply(const RecordedRequest &)> handler = [](const RecordedRequest &) {
        return CannedReply{200, "{}"};
    };
    QList<RecordedRequest> requests;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request,
                                 QIODevice *data) override
    {
        RecordedRequest recorded;
        switch (op) {
        case GetOperation:
            recorded.verb = "GET";
            break;
        case PostOperation:
            recorded.verb = "POST";
            break;
        case PutOperation:
            recorded.verb = "PUT";
            break;
        case DeleteOperation:
            recorded.verb = "DELETE";
            break;
        case HeadOperation:
            recorded.verb = "HEAD";
            break;
        default:
            recorded.verb = request.attribute(QNetworkRequest::CustomVerbAttribute).toByteArray();
            break;
        }
        recorded.url = request.url();
        const auto names = request.rawHeaderList();
        for (const QByteArray &name : names)
            recorded.headers.insert(name.toLower(), request.rawHeader(name));
        if (request.header(QNetworkRequest::ContentTypeHeader).isValid())
            recorded.headers.insert(
                "content-type", request.header(QNetworkRequest::ContentTypeHeader).toByteArray());
        if (data)
            recorded.body = data->readAll();
        requests.append(recorded);
        return new FakeReply(request, op, handler(recorded), this);
    }
};

} // namespace cb::test
