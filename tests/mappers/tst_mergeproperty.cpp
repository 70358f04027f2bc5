#include "core/callmerge.h"
#include "core/providermapper.h"

#include "fixtures.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace cb;

namespace {

constexpr int permutations = 10000;
constexpr int maxCopies = 10;

/// Compares the keys of @p expected with the wire shape of @p call; numbers within 1e-6.
QString mismatch(const Json &expected, const Call &call)
{
    const Json actual = toJson(call, true);
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const auto found = actual.find(it.key());
        if (found == actual.end())
            return QStringLiteral("no field %1").arg(QString::fromStdString(it.key()));
        const bool same = it->is_number() && found->is_number()
            ? std::abs(it->get<double>() - found->get<double>()) < 1e-6
            : *it == *found;
        if (!same)
            return QStringLiteral("%1: expected %2, got %3")
                .arg(QString::fromStdString(it.key()), QString::fromStdString(it->dump()),
                     QString::fromStdString(found->dump()));
    }
    return {};
}

} // namespace

/// Any order and any duplication of a call's events ends in the same row
/// (DESIGN §6), checked on the fixture sequence of every provider and outcome.
class TestMergeProperty : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_seed = 20260128;
        if (const QByteArray env = qgetenv("CALLBOARD_PROPERTY_SEED"); !env.isEmpty())
            m_seed = env.toULongLong();
        qInfo("property seed: %llu (set CALLBOARD_PROPERTY_SEED to replay)",
              static_cast<unsigned long long>(m_seed));
    }

    void anyOrderEndsInTheSameRow_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("outcome");
        for (const auto &p : fixtures::providers) {
            for (const auto &o : fixtures::outcomes)
                QTest::addRow("%s/%s", qPrintable(p), qPrintable(o)) << p << o;
        }
    }

    void anyOrderEndsInTheSameRow()
    {
        QFETCH(QString, provider);
        QFETCH(QString, outcome);
        const Provider kind = *providerFromString(provider);

        const QStringList files = fixtures::sequence(provider, outcome);
        QVERIFY2(files.size() >= 2, qPrintable(provider + u'/' + outcome));
        std::vector<NormalizedEvent> events;
        for (const auto &file : files) {
            const Json body = fixtures::load(file);
            QVERIFY2(!body.is_discarded(), qPrintable(file));
            const auto mapped = mapWebhook(kind, body);
            QVERIFY2(mapped.ok(),
                     qPrintable(file + u": " + (mapped.ok() ? QString() : mapped.error().message)));
            events.push_back(*mapped);
        }

        CallRecord inOrder;
        for (const auto &e : events)
            inOrder = apply(std::move(inOrder), e);
        const Json expected = fixtures::load(provider + u'/' + outcome + u"/expected.json");
        QVERIFY(expected.is_object());
        const QString diff = mismatch(expected, inOrder.call);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        std::mt19937_64 rng(m_seed ^ qHash(provider + u'/' + outcome));
        std::uniform_int_distribution<int> copies(1, maxCopies);
        std::vector<size_t> order;
        for (int round = 0; round < permutations; ++round) {
            order.clear();
            for (size_t i = 0; i < events.size(); ++i)
                order.insert(order.end(), size_t(copies(rng)), i);
            std::shuffle(order.begin(), order.end(), rng);
            CallRecord r;
            for (size_t i : order)
                r = apply(std::move(r), events[i]);
            if (!(r == inOrder)) {
                QStringList kinds;
                for (size_t i : order)
                    kinds.append(events[i].kind);
                QFAIL(qPrintable(QStringLiteral("round %1 differs (%2): %3")
                                     .arg(round)
                                     .arg(mismatch(toJson(inOrder.call, true), r.call))
                                     .arg(kinds.join(u' '))));
            }
        }
    }

private:
    quint64 m_seed = 0;
};

QTEST_GUILESS_MAIN(TestMergeProperty)
#include "tst_mergeproperty.moc"
