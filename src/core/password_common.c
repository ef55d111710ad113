/* The built-in list of common passwords that password_policy.c refuses: the passwords
 * that lead the published lists of leaked passwords year after year (sequences, keyboard
 * walks, names, sports, "password" and its variants, in English, German and Dutch), plus
 * the product's own names. Written out for grantd, lowercase and sorted (the policy
 * searches it with bsearch; a unit test checks the order). Compact on purpose: a longer
 * list is passwords.blocklist's job (a file read at run time). */
#include "core/password_policy.h"

const char *const grantd_password_common[] = {
    "0000", "000000", "1111", "11111", "111111", "11111111", "112233", "121212", "123123",
    "123123123", "123321", "1234", "12344321", "12345", "123456", "1234567", "12345678",
    "123456789", "1234567890", "1234qwer", "123654", "123qwe", "123qweasd", "131313", "159753",
    "1q2w3e", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "1qazxsw2", "2000", "222222", "232323",
    "333333", "555555", "654321", "666666", "696969", "777777", "7777777", "87654321", "888888",
    "88888888", "987654", "987654321", "999999", "aaaaaa", "abc123", "abc12345", "abcd1234",
    "abcdef", "abcdefg", "access", "adidas", "admin", "admin123", "administrator", "amanda",
    "andrea", "andrew", "angel", "anthony", "arsenal", "asdf1234", "asdfasdf", "asdfgh",
    "asdfghjkl", "ashley", "austin", "azerty", "azerty123", "badboy", "bailey", "banana", "barney",
    "baseball", "baseball1", "batman", "bigdick", "bigdog", "biteme", "booboo", "boomer", "boston",
    "brandon", "brandy", "bulldog", "buster", "butter", "camaro", "casper", "changeme",
    "changeme123", "charles", "charlie", "cheese", "chelsea", "chester", "chicago", "chicken",
    "chris", "cocacola", "coffee", "compaq", "computer", "cookie", "corvette", "cowboy", "cowboys",
    "crystal", "dakota", "dallas", "daniel", "default", "demo", "demo123", "diablo", "diamond",
    "dragon", "dragon1", "eagles", "edward", "enter", "falcon", "fender", "ferrari", "fishing",
    "flower", "football", "football1", "forever", "freedom", "gandalf", "gateway", "geheim",
    "george", "gfhjkm", "ghbdtn", "ginger", "golf", "golfer", "grantd", "guest", "guest123",
    "guitar", "hallo123", "hammer", "hannah", "hardcore", "harley", "heather", "hello", "hockey",
    "hunter", "iceman", "iloveyou", "iloveyou1", "internet", "jackie", "jackson", "james",
    "jasmine", "jasper", "jennifer", "jessica", "johnny", "jordan", "joseph", "joshua", "junior",
    "justin", "killer", "klaster", "knight", "lakers", "letmein", "letmein1", "letmein123",
    "login", "login123", "london", "love", "maggie", "marina", "marine", "marlboro", "martin",
    "master", "master1", "matrix", "matthew", "maverick", "melissa", "mercedes", "merlin",
    "michael", "michelle", "mickey", "midnight", "miller", "minecraft", "money", "monkey",
    "monkey1", "monster", "morgan", "mother", "mustang", "nascar", "natasha", "ncc1701", "nicole",
    "nikita", "oauth", "oliver", "openid", "orange", "p@ssw0rd", "p@ssword", "panties", "pass",
    "pass123", "pass1234", "passw0rd", "password", "password!", "password1", "password1!",
    "password12", "password123", "passwort", "passwort1", "patrick", "peanut", "pepper", "phoenix",
    "player", "please", "porsche", "prince", "princess", "princess1", "purple", "q1w2e3r4",
    "q1w2e3r4t5", "qazwsx", "qazwsxedc", "qweasdzxc", "qwer1234", "qwerty", "qwerty1", "qwerty12",
    "qwerty123", "qwertyui", "qwertyuiop", "qwertz", "qwertz123", "rabbit", "rachel", "raiders",
    "ranger", "rangers", "redsox", "richard", "robert", "root", "samantha", "samsung", "scooby",
    "scooter", "secret", "secret123", "sexy", "shadow", "shadow1", "silver", "slayer", "smokey",
    "snoopy", "snowball", "soccer", "sparky", "spider", "starwars", "steelers", "steven", "summer",
    "sunshine", "sunshine1", "superman", "superman1", "taylor", "tennis", "test", "test123",
    "test1234", "testtest", "thomas", "thunder", "tigers", "tigger", "toor", "trustno1",
    "trustno11", "user", "user123", "victoria", "voyager", "wachtwoord", "wachtwoord1", "welcome",
    "welcome1", "welcome123", "welkom", "welkom01", "whatever", "william", "willkommen", "winner",
    "winter", "wizard", "xxxxxx", "yamaha", "yankees", "yellow", "zaq12wsx", "zxcvbn", "zxcvbnm",
    "zxcvbnm1",
};

const size_t grantd_password_common_count =
    sizeof(grantd_password_common) / sizeof(grantd_password_common[0]);
